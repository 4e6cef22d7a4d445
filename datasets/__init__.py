"""Bundled flowgraph datasets (installed as ``flowgraph._datasets``; read them with
:func:`flowgraph.load_dataset`)."""
