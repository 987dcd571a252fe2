"""Prevention (issue 7): keep wrong linkages from coming back and say honestly what is left.

Entry checks stop wrong linkages when a number is entered, scheduled re-collation finds new
ones, and residual risk (`residual`, `sampling`) bounds those still hidden among the records
the engine cleared automatically.
"""
