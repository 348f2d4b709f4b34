/** One cell of a {@link PanelTable}: the page shows it as text. */
export type Cell = string | number | boolean | null;

/** A table the page shows in a panel. */
export interface PanelTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** What the page says when there are no rows. @default 'nothing yet' */
  readonly empty?: string;
  /** Buttons above the table (e.g. redrive all). @default none */
  readonly buttons?: readonly PanelButton[];
  /** Buttons of each row, in row order (e.g. redrive this one). @default none */
  readonly rowButtons?: readonly (readonly PanelButton[])[];
}

/** One field of a panel's form. */
export interface PanelField {
  /** Query parameter name, `[a-z]+`. */
  readonly name: string;
  readonly label: string;
  /** @default none */
  readonly placeholder?: string;
}

/** A button of a panel: the page POSTs `input` to `/api/panels/<panel>/actions/<action>` and shows the answer. */
export interface PanelButton {
  readonly label: string;
  readonly action: string;
  readonly input?: Readonly<Record<string, string>>;
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
  /** Fields of a form above the panel; the page sends their values to {@link read} as `query`. @default none */
  readonly form?: readonly PanelField[];
  /** The panel's tables now; `query` holds the form's values (strings, possibly empty). */
  read(query: Readonly<Record<string, string>>): readonly PanelTable[] | Promise<readonly PanelTable[]>;
  /**
   * Runs a button's action and says what it did, in a sentence the page shows. Reject with an
   * error to show it as one. @default none (the panel has no buttons)
   */
  act?(action: string, input: Readonly<Record<string, string>>): Promise<string>;
}
