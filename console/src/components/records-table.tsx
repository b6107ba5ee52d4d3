interface Props {
  caption: string;
  rows: Array<Record<string, unknown>>;
  /** Column order; by default the keys of the rows as they come. */
  columns?: string[];
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Rows of plain objects (counts, rejections, warnings, guard details) as a captioned table. */
export function RecordsTable({ caption, rows, columns }: Props) {
  const keys = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return (
    <div class="overflow-auto">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {keys.map((key) => (
              <th key={key} scope="col">
                {key}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {keys.map((key) => (
                <td key={key}>{cell(row[key])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
