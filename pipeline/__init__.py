"""Graph assembly, options, runners and the command line of guillemet."""
