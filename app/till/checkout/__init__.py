"""A sale at the till: plan → customer → method → waiting → receipt (:mod:`.view` runs the
flow; each step is a widget of its own)."""
