"""One module per subcommand: HELP, add_arguments(parser) and run(args, settings) -> exit code."""
