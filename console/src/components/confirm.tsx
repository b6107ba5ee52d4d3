import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

interface Props {
  label: string;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  danger?: boolean;
}

/** A button that asks first, in a modal dialog (focus kept inside, Escape cancels). */
export function ConfirmButton({ label, title, children, confirmLabel, onConfirm, disabled, danger }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const close = () => dialog.current?.close();
  return (
    <>
      <button
        type="button"
        class={danger ? 'secondary' : ''}
        disabled={disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </button>
      <dialog ref={dialog} aria-label={title}>
        <article>
          <h3>{title}</h3>
          {children}
          <footer>
            <button type="button" class="secondary" onClick={close}>
              Cancel
            </button>{' '}
            <button
              type="button"
              onClick={() => {
                close();
                onConfirm();
              }}
            >
              {confirmLabel}
            </button>
          </footer>
        </article>
      </dialog>
    </>
  );
}
