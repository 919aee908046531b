"""UPI QR payments: requests, confirmation (PSP, UTR) and bank-statement matching."""
