/**
 * The in-process topics: what each carries is declared beside the type it carries, by augmenting
 * this interface, so events/ depends on no service while every publish and subscribe is checked:
 *
 * | topic           | payload                                          | declared in                    |
 * | --------------- | ------------------------------------------------ | ------------------------------ |
 * | `orphanEvents`  | a batch of new `OrphanEvent`s, in id order        | services/orphans/events.ts     |
 * | `healthChanged` | a `HealthReport` that differs from the last one  | services/health/report.ts      |
 * | `pipeline`      | keyed by run id: the stored event, or a hint     | services/pipeline/runs.ts      |
 * | `logAlerts`     | `null`: alerts may have been raised, read them   | services/logs/alerts.ts        |
 *
 * Cross-instance delivery does not go through here: every instance LISTENs to PostgreSQL itself
 * (listener.ts) and publishes what it hears locally, so subscribers on any instance get every event.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by augmentation
export interface Topics {}

/** Topic names, one place to find who publishes and who subscribes. */
export const TOPIC = {
  orphanEvents: 'orphanEvents',
  healthChanged: 'healthChanged',
  pipeline: 'pipeline',
  logAlerts: 'logAlerts',
} as const satisfies { [K in keyof Topics]: K };
