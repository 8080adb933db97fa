"""The eigen solve: assembly, the eigensolvers (Krylov–Schur with shift-and-invert, LOBPCG,
spectrum slicing) and how they factorize, the options probe, the levels of a study, accuracy
targets, sizes, references and guaranteed bounds.
"""
