"""The eigen kind's domains, shared with the turing kind's ``[domain]``: 2D and 3D shapes, CSG,
singular corners and edges, meshing (Netgen) and mesh files read safely.
"""
