"""The static site and the live web app: thin layers over `Workspace`."""
