"""Pure domain rules: no I/O, no database, no clock reads (time is passed in)."""
