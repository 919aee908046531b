"""UPI: the NPCI ``upi://pay`` URI and the QR code that carries it."""
