"""Reading QR codes back from what a widget painted, with an independent decoder."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import zxingcpp
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget


def image_array(image: QImage) -> np.ndarray:
    """A QImage as a greyscale numpy array (what a camera-less decoder reads)."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    buffer = np.frombuffer(grey.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, :width].copy()


def decode_widget(widget: QWidget) -> list[str]:
    """Texts of every QR code visible in ``widget.grab()``."""
    return decode_image(widget.grab().toImage())


def decode_image(image: QImage) -> list[str]:
    return read_qr(image_array(image))


def read_qr(image: object) -> list[str]:
    """Texts of the QR codes zxing-cpp finds in a PIL image or a numpy array. Only QR
    codes are looked for: a dense QR can otherwise be misread as a stray 1D barcode."""
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def query(uri: str) -> dict[str, str]:
    """The parameters of a ``upi://pay?…`` URI, decoded."""
    return {key: values[0] for key, values in parse_qs(urlsplit(uri).query).items()}
