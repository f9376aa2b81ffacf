"""One module per CLI command; each parses options and calls the library."""
