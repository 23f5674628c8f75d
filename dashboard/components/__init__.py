"""Pieces shared by the pages: KPI cards, figure builders, grids, formatting, page furniture."""
