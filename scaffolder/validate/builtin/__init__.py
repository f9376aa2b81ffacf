"""Built-in validation beyond OpenAPI: what the API server checks for built-in kinds."""
