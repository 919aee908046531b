"""Trials and credits: the one free trial per person, the credit ledger, usage limits."""
