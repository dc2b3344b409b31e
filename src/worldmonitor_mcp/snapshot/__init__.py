"""The bundled snapshot: genuine upstream payloads that ``seeders.load_snapshot`` writes into an empty store.

Data files only; SOURCES.md in this folder records where each came from and its licence. A package (not a
bare folder) so ``importlib.resources`` finds the files inside an installed wheel too.
"""
