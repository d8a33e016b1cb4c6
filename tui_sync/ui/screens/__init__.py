"""The top-level screens, one mode of the App each."""
