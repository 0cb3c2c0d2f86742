"""One Screen per module; tui.screens.registry names them for export and the command palette."""
