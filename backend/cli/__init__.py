"""The admin command line (``autoos-checkout SUBCOMMAND``)."""
