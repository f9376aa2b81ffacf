export interface Config {
  scaffolder?: {
    /** Settings of the fetch:golden-path and golden-path:diff actions. */
    goldenPaths?: {
      /**
       * The scaffolder CLI to run: an executable (looked up on PATH unless it
       * is a path), or an executable followed by leading arguments, such as
       * ['python3', '-m', 'scaffolder']. It is run without a shell.
       * Defaults to 'scaffolder'.
       */
      command?: string | string[];
      /**
       * Default organisation catalog directory, passed as --catalog to
       * `scaffolder new` and `scaffolder diff` when a step does not set its
       * own `catalog` input.
       */
      catalog?: string;
    };
  };
}
