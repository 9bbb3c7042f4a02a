"""Console subcommands of this app (see onewindow.cli)."""


def register(sub):
    pass
