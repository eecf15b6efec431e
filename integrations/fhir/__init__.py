"""FHIR R4 (4.0.1) at /fhir/R4/: the standard door for the region's other systems.

Reads go through the modules' queries (the access module decides each patient and
the access log records each read), writes through their services. See README.md.
"""
