/** One cell of a {@link PanelTable}: the page shows it as text. */
export type Cell = string | number | boolean | null;

/** A table the page shows in a panel. */
export interface PanelTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** What the page says when there are no rows. @default 'nothing yet' */
  readonly empty?: string;
}

/**
 * One view of the dashboard besides the live tail and the charts: tables the page polls at
 * `GET /api/panels/<id>` and shows as text.
 *
 * @remarks The extension point for views: the CLI builds the panels its flags ask for
 * (`--rules` → alerts, `--durable` → streams) and hands them to `serveDashboard`.
 */
export interface DashboardPanel {
  /** URL segment, `[a-z0-9-]+`. */
  readonly id: string;
  readonly title: string;
  read(): readonly PanelTable[] | Promise<readonly PanelTable[]>;
}
