"""The render stage: the IR and the models through Jinja2 templates into files, then written whole."""
