"""Reconciliation with Exact Online: proof that coachlink and Exact agree.

``compare`` holds the pure comparison of coachlink's invoices with Exact's journal lines,
``run`` reads both sides and stores a run, ``report`` writes it as CSV and PDF.
"""
