"""What an eigen run shows: modes to ParaView and pictures, the report, the bounds' table and
picture.
"""
