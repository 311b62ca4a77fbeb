"""FITS files as the DM sees them: blocks, column descriptions, raw row access, writing.

Owns the byte level: headers come from astropy.io.fits; table rows are a memory-mapped
structured array (``np.memmap`` on plain files, one decompressed buffer for ``.gz``), so a
reader converts only the columns and rows it asks for. Writing is ours too (header cards via
astropy, data as raw big-endian bytes) so bit columns, column order and keyword order survive
exactly; every written HDU gets DATASUM/CHECKSUM.
"""
from __future__ import annotations

import bz2
import gzip
import io
import os
import re
from dataclasses import dataclass, field, replace

import numpy as np
from astropy.io import fits

from ..errors import ToolError

__all__ = ["ColumnInfo", "BlockInfo", "Dataset", "open_dataset", "OutHDU", "write_fits", "world_column",
           "BLOCK_SIZE", "column_header_cards", "COLUMN_KEY_STEMS"]

BLOCK_SIZE = 2880

_CODES = {"L": "u1", "X": "u1", "B": "u1", "I": ">i2", "J": ">i4", "K": ">i8", "E": ">f4",
          "D": ">f8", "C": ">c8", "M": ">c16", "A": "S"}
_UNSIGNED_ZERO = {"I": (32768, np.uint16), "J": (2147483648, np.uint32),
                  "K": (9223372036854775808, np.uint64)}
_TFORM = re.compile(r"\s*(\d*)([LXBIJKAEDCMPQ])(.*)$")
# Column keyword stems (TTYPEn ...) that describe one column and move with it.
COLUMN_KEY_STEMS = ("TTYPE", "TFORM", "TUNIT", "TLMIN", "TLMAX", "TNULL", "TSCAL", "TZERO",
                    "TDIM", "TDISP", "TCTYP", "TCRVL", "TCRPX", "TCDLT", "TCUNI", "TCNA", "TCROT",
                    "TDMIN", "TDMAX", "TCD", "TC", "LONP", "LATP", "TCRDE", "TCSYE", "TWCS")
_COLKEY = re.compile(r"^(" + "|".join(sorted(COLUMN_KEY_STEMS, key=len, reverse=True)) + r")(\d+)([A-Z]?)$")


@dataclass
class ColumnInfo:
    """One table column: name as stored, FITS type, shape, unit, limits, WCS keys."""
    name: str
    index: int                  # 1-based FITS column number
    code: str                   # FITS type letter (L X B I J K A E D C M P Q)
    repeat: int
    offset: int                 # byte offset within a row
    nbytes: int
    unit: str | None = None
    comment: str | None = None
    tlmin: float | None = None
    tlmax: float | None = None
    tnull: int | None = None
    tscal: float = 1.0
    tzero: float = 0.0
    tdim: tuple | None = None
    keys: dict = field(default_factory=dict)   # other column keys by stem: {'TCTYP': 'RA---TAN'}
    tform: str = ""

    @property
    def kind(self):
        """'int', 'real', 'string', 'bit', 'logical', 'complex' or 'vla'."""
        if self.code in "PQ":
            return "vla"
        if self.code == "A":
            return "string"
        if self.code == "X":
            return "bit"
        if self.code == "L":
            return "logical"
        if self.code in "CM":
            return "complex"
        if self.code in "ED" or self.tscal != 1.0 or (self.tzero != 0.0 and not self.is_unsigned):
            return "real"
        return "int"

    @property
    def is_unsigned(self):
        z = _UNSIGNED_ZERO.get(self.code)
        return (z is not None and self.tscal == 1.0 and self.tzero == z[0]) or \
            (self.code == "B" and self.tzero == 0.0)

    @property
    def shape(self):
        """Element shape: () for scalars, (n,) or the TDIM shape (numpy order) for arrays."""
        if self.code in "AX" or self.repeat == 1:
            return ()
        if self.tdim:
            return tuple(reversed(self.tdim))
        return (self.repeat,)

    @property
    def raw_dtype(self):
        if self.code == "A":
            return np.dtype(f"S{max(self.repeat, 1)}")
        if self.code == "X":
            return np.dtype(("u1", ((self.repeat + 7) // 8,)))
        if self.code in "PQ":
            return np.dtype((">i4" if self.code == "P" else ">i8", (2,)))
        base = np.dtype(_CODES[self.code])
        return base if self.repeat == 1 else np.dtype((base, (self.repeat,)))

    @property
    def native_dtype(self):
        if self.code == "A":
            return np.dtype("U%d" % max(self.repeat, 1))
        if self.code == "L":
            return np.dtype(bool)
        if self.code == "X":
            return np.dtype("u1")
        if self.kind == "real" and self.code not in "ED":
            return np.dtype("f8")
        if self.is_unsigned and self.code in _UNSIGNED_ZERO:
            return np.dtype(_UNSIGNED_ZERO[self.code][1])
        return np.dtype(_CODES[self.code]).newbyteorder("=")

    @property
    def type_name(self):
        """The DM type name printed by dmlist/dmstat: Int2, Int4, Real4, Real8, String[8]..."""
        if self.code == "X":
            return f"Bit({self.repeat})"
        if self.code == "A":
            return f"String[{self.repeat}]"
        if self.code == "L":
            return "Logical"
        if self.kind == "real" and self.code not in "ED":
            return "Real8"
        return {"B": "Byte", "I": "Int2", "J": "Int4", "K": "Int8", "E": "Real4", "D": "Real8",
                "C": "Complex8", "M": "Complex16", "P": "VarArray", "Q": "VarArray"}[self.code] \
            if not self.is_unsigned or self.code == "B" else {"I": "UInt2", "J": "UInt4", "K": "UInt8"}[self.code]

    def decode(self, raw):
        """Convert a raw (big-endian, FITS-encoded) field array to native values."""
        if self.code == "A":
            return np.char.rstrip(np.char.decode(raw, "ascii", errors="replace"))
        if self.code == "L":
            return raw == ord("T")
        if self.code == "X":
            return np.ascontiguousarray(raw)
        if self.code in "PQ":
            raise ToolError(f"variable-length column '{self.name}' is not supported here")
        out = raw.astype(self.native_dtype)
        if self.is_unsigned and self.code in _UNSIGNED_ZERO:
            out = (raw.astype(np.int64) + _UNSIGNED_ZERO[self.code][0]).astype(self.native_dtype) \
                if self.code != "K" else (raw.view(np.uint64) ^ np.uint64(1 << 63)).astype(np.uint64)
        elif self.tscal != 1.0 or self.tzero != 0.0:
            out = raw.astype("f8") * self.tscal + self.tzero
        if self.tdim and self.repeat > 1:
            out = out.reshape((len(out),) + self.shape)
        return out

    def encode(self, values):
        """Inverse of :meth:`decode` (for writing): native values -> raw field array."""
        if self.code == "A":
            return np.char.encode(np.asarray(values, dtype=str), "ascii").astype(self.raw_dtype)
        if self.code == "L":
            return np.where(np.asarray(values, bool), ord("T"), ord("F")).astype("u1")
        if self.is_unsigned and self.code in _UNSIGNED_ZERO:
            return (np.asarray(values).astype(np.int64) - _UNSIGNED_ZERO[self.code][0]).astype(self.raw_dtype.base)
        if self.tscal != 1.0 or self.tzero != 0.0:
            return np.round((np.asarray(values, "f8") - self.tzero) / self.tscal).astype(self.raw_dtype.base)
        return np.asarray(values).astype(self.raw_dtype.base)


@dataclass
class BlockInfo:
    """One HDU: DM block number (1-based), name, kind and header."""
    number: int
    name: str
    kind: str                  # 'null', 'image' or 'table'
    header: fits.Header
    data_offset: int = 0
    data_size: int = 0          # bytes of the main data (no heap/padding)
    span: int = 0               # bytes including heap and padding
    nrows: int = 0
    rowbytes: int = 0
    columns: list = field(default_factory=list)
    shape: tuple = ()           # image shape in numpy order (NAXISn reversed)
    extname: str | None = None

    @property
    def vectors(self):
        """Vector columns from MTYPEn/MFORMn: {'sky': ('sky', ['x', 'y'])} keyed lower case."""
        names = {c.name.lower() for c in self.columns}
        out = {}
        for key in self.header:
            m = re.fullmatch(r"MTYPE(\d+)", key)
            if not m:
                continue
            comps = [s.strip() for s in str(self.header.get("MFORM" + m.group(1), "")).split(",")]
            if len(comps) >= 2 and all(c.lower() in names for c in comps):
                vname = str(self.header[key]).strip()
                out[vname.lower()] = (vname, comps)
        return out

    def column(self, name):
        """Column by case-insensitive name, or None. A name that is the linear world
        coordinate (TCTYPn) of a scalar column is that column seen through its transform
        (a light curve's ``DT`` = TIME - first bin, a profile's ``CEL_AREA``), as the DM
        offers it to filters and column lists: see :func:`world_column`."""
        low = name.lower()
        for c in self.columns:
            if c.name.lower() == low:
                return c
        for c in self.columns:
            ctype = str(c.keys.get("TCTYP", "")).strip()
            if ctype.lower() == low:
                return world_column(c)
        return None


def world_column(col):
    """The virtual column ``TCRVL + TCDLT * (value - TCRPX)`` of a scalar numeric column with
    a linear world transform (TCTYP without a projection), or None. It reads the parent's
    stored values through TSCAL/TZERO, so filters and reads need no special path."""
    k = col.keys
    ctype = str(k.get("TCTYP", "")).strip()
    if not ctype or "-" in ctype or col.shape or col.kind not in ("int", "real") or col.is_unsigned:
        return None
    try:
        crval, crpix, cdelt = (float(k.get(key, dflt)) for key, dflt in
                               (("TCRVL", 0.0), ("TCRPX", 0.0), ("TCDLT", 1.0)))
    except (TypeError, ValueError):
        return None
    def world(v):
        return None if v is None else crval + cdelt * (v - crpix)
    lo, hi = world(col.tlmin), world(col.tlmax)
    if cdelt < 0 and lo is not None and hi is not None:
        lo, hi = hi, lo
    unit = str(k.get("TCUNI", "")).strip() or col.unit
    return replace(col, name=ctype, unit=unit, tscal=col.tscal * cdelt,
                   tzero=crval + cdelt * (col.tzero - crpix), tlmin=lo, tlmax=hi, keys={},
                   comment=f"{ctype} of {col.name}")


def _parse_columns(header):
    ncols = int(header.get("TFIELDS", 0))
    cols, offset = [], 0
    extra = {}
    for key in header:
        m = _COLKEY.match(key)
        if m and m.group(1) not in ("TTYPE", "TFORM", "TUNIT", "TLMIN", "TLMAX", "TNULL",
                                    "TSCAL", "TZERO", "TDIM"):
            extra.setdefault(int(m.group(2)), {})[m.group(1) + m.group(3)] = header[key]
    for i in range(1, ncols + 1):
        tform = str(header.get(f"TFORM{i}", "")).strip().upper()
        m = _TFORM.match(tform)
        if not m:
            raise ToolError(f"unsupported column format TFORM{i}='{tform}'")
        repeat = int(m.group(1)) if m.group(1) else 1
        code = m.group(2)
        if code in "PQ":
            nbytes = 8 if code == "P" else 16
            repeat_eff = repeat
        elif code == "X":
            nbytes = (repeat + 7) // 8
            repeat_eff = repeat
        else:
            nbytes = repeat * {"L": 1, "B": 1, "I": 2, "J": 4, "K": 8, "E": 4, "D": 8,
                               "C": 8, "M": 16, "A": 1}[code]
            repeat_eff = repeat
        tdim = None
        if f"TDIM{i}" in header:
            try:
                tdim = tuple(int(v) for v in str(header[f"TDIM{i}"]).strip("() ").split(","))
            except ValueError:
                tdim = None
        def num(key):
            v = header.get(key)
            return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        name = str(header.get(f"TTYPE{i}", f"col{i}")).strip()
        col = ColumnInfo(
            name=name, index=i, code=code, repeat=repeat_eff, offset=offset, nbytes=nbytes,
            unit=(str(header[f"TUNIT{i}"]).strip() or None) if f"TUNIT{i}" in header else None,
            comment=header.comments[f"TTYPE{i}"] if f"TTYPE{i}" in header else None,
            tlmin=num(f"TLMIN{i}"), tlmax=num(f"TLMAX{i}"),
            tnull=header.get(f"TNULL{i}") if isinstance(header.get(f"TNULL{i}"), int) else None,
            tscal=float(header.get(f"TSCAL{i}", 1.0)), tzero=float(header.get(f"TZERO{i}", 0.0)),
            tdim=tdim if tdim and code not in "AX" and int(np.prod(tdim)) == repeat else None,
            keys=extra.get(i, {}), tform=tform)
        cols.append(col)
        offset += nbytes
    return cols, offset


class Dataset:
    """An opened FITS file: its blocks, and raw access to their data."""

    def __init__(self, path, blocks, buffer=None):
        self.path, self.blocks, self._buffer = path, blocks, buffer
        self._raw_cache = {}

    # -- block choice ------------------------------------------------------
    def default_block(self):
        """The DM's 'most interesting' block: first image with data, or first table."""
        for b in self.blocks:
            if b.kind == "image" and b.shape and np.prod(b.shape) > 0:
                return b
            if b.kind == "table":
                return b
        return self.blocks[0]

    def block(self, sel=None):
        """Block by 1-based number, by name (HDUNAME, then EXTNAME; any case) or default."""
        if sel is None:
            return self.default_block()
        if isinstance(sel, int):
            if 1 <= sel <= len(self.blocks):
                return self.blocks[sel - 1]
            raise ToolError(f"block {sel} not found in {self.path} (it has {len(self.blocks)} blocks)")
        low = str(sel).lower()
        for b in self.blocks:
            if b.name.lower() == low:
                return b
        for b in self.blocks:
            if (b.extname or "").lower() == low:
                return b
        names = ", ".join(b.name for b in self.blocks)
        raise ToolError(f"block '{sel}' not found in {self.path} (blocks: {names})")

    # -- data access ---------------------------------------------------------
    def raw_rows(self, block):
        """All rows of a table block as a raw structured array (memory-mapped when possible)."""
        key = block.number
        if key in self._raw_cache:
            return self._raw_cache[key]
        dtype = np.dtype({"names": [f"c{c.index}" for c in block.columns],
                          "formats": [c.raw_dtype for c in block.columns],
                          "offsets": [c.offset for c in block.columns],
                          "itemsize": block.rowbytes})
        if block.nrows == 0 or block.rowbytes == 0:
            arr = np.zeros(0, dtype=dtype)
        elif self._buffer is not None:
            arr = np.frombuffer(self._buffer, dtype=dtype, count=block.nrows, offset=block.data_offset)
        else:
            arr = np.memmap(self.path, dtype=dtype, mode="r", offset=block.data_offset,
                            shape=(block.nrows,))
        self._raw_cache[key] = arr
        return arr

    def raw_bytes(self, block):
        """The data unit of a block (table rows + heap, or image pixels) as bytes, unpadded."""
        size = _data_bytes(block.header)
        if size == 0:
            return b""
        if self._buffer is not None:
            return bytes(self._buffer[block.data_offset:block.data_offset + size])
        with open(self.path, "rb") as fh:
            fh.seek(block.data_offset)
            return fh.read(size)

    def heap(self, block):
        """Heap bytes of a table with variable-length columns."""
        start = block.rowbytes * block.nrows + int(block.header.get("THEAP", block.rowbytes * block.nrows)) \
            - block.rowbytes * block.nrows
        data = self.raw_bytes(block)
        return data[start:]

    def image(self, block):
        """The pixel array of an image block (BSCALE/BZERO applied, native byte order)."""
        if block.kind != "image":
            raise ToolError(f"block {block.name} of {self.path} is not an image")
        bitpix = int(block.header["BITPIX"])
        dt = {8: "u1", 16: ">i2", 32: ">i4", 64: ">i8", -32: ">f4", -64: ">f8"}[bitpix]
        n = int(np.prod(block.shape))
        if self._buffer is not None:
            arr = np.frombuffer(self._buffer, dtype=dt, count=n, offset=block.data_offset)
        else:
            arr = np.fromfile(self.path, dtype=dt, count=n, offset=block.data_offset)
        arr = arr.reshape(block.shape)
        bscale = float(block.header.get("BSCALE", 1.0))
        bzero = float(block.header.get("BZERO", 0.0))
        if bscale != 1.0 or bzero != 0.0:
            if bitpix == 16 and bscale == 1.0 and bzero == 32768:
                return (arr.astype(np.int32) + 32768).astype(np.uint16)
            if bitpix == 32 and bscale == 1.0 and bzero == 2147483648:
                return (arr.astype(np.int64) + 2147483648).astype(np.uint32)
            out = arr.astype("f8") * bscale + bzero
            if "BLANK" in block.header:
                out[arr == block.header["BLANK"]] = np.nan
            return out
        return arr.astype(arr.dtype.newbyteorder("="))


def _data_bytes(header):
    naxis = int(header.get("NAXIS", 0))
    if naxis == 0:
        return 0
    n = 1
    for i in range(1, naxis + 1):
        n *= int(header.get(f"NAXIS{i}", 0))
    size = abs(int(header.get("BITPIX", 8))) // 8 * n
    return size + int(header.get("PCOUNT", 0)) if size or header.get("PCOUNT") else size


def _read_all(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read()
    if path.endswith(".bz2"):
        with bz2.open(path, "rb") as fh:
            return fh.read()
    return None


def open_dataset(path):
    """Open a FITS file (plain, .gz or .bz2) and describe its blocks; errors name the file."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ToolError(f"File {path} does not exist.")
    if os.path.isdir(path):
        raise ToolError(f"{path} is a directory, not a file.")
    try:
        buffer = _read_all(path)
        with open(path, "rb") as fh:
            magic = fh.read(6) if buffer is None else buffer[:6]
        if magic != b"SIMPLE":
            raise ToolError(f"{path} is not a FITS file.")
        src = io.BytesIO(buffer) if buffer is not None else path
        blocks = []
        with fits.open(src, memmap=False, lazy_load_hdus=True, ignore_missing_simple=False) as hdul:
            i = 0
            while True:
                try:
                    hdu = hdul[i]
                except IndexError:
                    break
                info = hdul.fileinfo(i)
                blocks.append(_describe(i, hdu.header.copy(), info))
                i += 1
    except ToolError:
        raise
    except (OSError, ValueError, KeyError, IndexError, EOFError) as exc:
        raise ToolError(f"Unable to read FITS file {path}: {exc}") from None
    return Dataset(path, blocks, buffer)


def _describe(i, header, info):
    name = header.get("HDUNAME")
    extname = header.get("EXTNAME")
    if i == 0:
        name = name or "PRIMARY"
    name = str(name or extname or f"BLOCK{i + 1}").strip()
    b = BlockInfo(number=i + 1, name=name, kind="null", header=header,
                  data_offset=info["datLoc"], span=info["datSpan"],
                  extname=str(extname).strip() if extname else None)
    xt = str(header.get("XTENSION", "")).strip().upper()
    if xt in ("BINTABLE", "TABLE"):
        if xt == "TABLE":
            raise ToolError("ASCII tables are not supported; convert to a binary table")
        b.kind = "table"
        b.nrows = int(header.get("NAXIS2", 0))
        b.columns, rowbytes = _parse_columns(header)
        b.rowbytes = int(header.get("NAXIS1", rowbytes))
    elif int(header.get("NAXIS", 0)) > 0:
        shape = tuple(int(header[f"NAXIS{k}"]) for k in range(int(header["NAXIS"]), 0, -1))
        if all(n > 0 for n in shape):
            b.kind = "image"
            b.shape = shape
    b.data_size = _data_bytes(header)
    return b


# =========================================================================== writing
@dataclass
class OutHDU:
    """A header and its data unit (raw big-endian bytes or an array to be converted)."""
    header: fits.Header
    data: object = b""


def column_header_cards(col, n):
    """The TTYPEn... cards describing column ``col`` as column number ``n``."""
    cards = [(f"TTYPE{n}", col.name, col.comment or ""), (f"TFORM{n}", col.tform or _tform(col), "format of field")]
    if col.unit:
        cards.append((f"TUNIT{n}", col.unit, ""))
    if col.tdim:
        cards.append((f"TDIM{n}", "(" + ",".join(str(d) for d in col.tdim) + ")", ""))
    if col.tnull is not None:
        cards.append((f"TNULL{n}", col.tnull, ""))
    if col.tscal != 1.0:
        cards.append((f"TSCAL{n}", col.tscal, ""))
    if col.tzero != 0.0:
        cards.append((f"TZERO{n}", int(col.tzero) if float(col.tzero).is_integer() else col.tzero, ""))
    for stem, val in (("TLMIN", col.tlmin), ("TLMAX", col.tlmax)):
        if val is not None:
            ival = int(val) if col.kind == "int" and float(val).is_integer() else val
            cards.append((f"{stem}{n}", ival, ""))
    for stem, val in col.keys.items():
        m = re.match(r"([A-Z]+)([A-Z]?)$", stem)
        cards.append((f"{m.group(1)}{n}{m.group(2)}", val, ""))
    return cards


def _tform(col):
    return f"{col.repeat}{col.code}"


def _pad(data, fill=b"\0"):
    rem = len(data) % BLOCK_SIZE
    return data if rem == 0 else data + fill * (BLOCK_SIZE - rem)


def _ones_sum(data):
    """32-bit ones' complement sum of big-endian words (data length multiple of 4)."""
    words = np.frombuffer(data, dtype=">u4")
    s = int(words.sum(dtype=np.uint64)) if len(words) else 0
    while s >> 32:
        s = (s & 0xFFFFFFFF) + (s >> 32)
    return s


def _add_ones(a, b):
    s = a + b
    while s >> 32:
        s = (s & 0xFFFFFFFF) + (s >> 32)
    return s


_EXCLUDE = set(range(0x3A, 0x41)) | set(range(0x5B, 0x61))


def _encode_checksum(value):
    """The 16-character ASCII encoding of the complement of ``value`` (FITS standard J.2)."""
    value = ~value & 0xFFFFFFFF
    asc = [0] * 16
    for i in range(4):
        byte = (value >> (24 - 8 * i)) & 0xFF
        q, r = divmod(byte, 4)
        ch = [q + r + 0x30] + [q + 0x30] * 3
        changed = True
        while changed:
            changed = False
            for j in (0, 2):
                if ch[j] in _EXCLUDE or ch[j + 1] in _EXCLUDE:
                    ch[j] += 1
                    ch[j + 1] -= 1
                    changed = True
        for j in range(4):
            asc[4 * j + i] = ch[j]
    return "".join(chr(c) for c in asc[15:] + asc[:15])


def _hdu_bytes(hdu, primary):
    header = hdu.header.copy()
    data = hdu.data
    if isinstance(data, np.ndarray):
        data = data.tobytes()
    data = bytes(data) if not isinstance(data, bytes) else data
    for k in ("CHECKSUM", "DATASUM"):
        if k in header:
            del header[k]
    if primary and "XTENSION" in header:
        raise ValueError("primary header must start with SIMPLE")
    padded = _pad(data)
    datasum = _ones_sum(padded)
    header["CHECKSUM"] = ("0" * 16, "HDU checksum")
    header["DATASUM"] = (str(datasum), "data unit checksum")
    text = header.tostring(sep="", endcard=True, padding=True).encode("ascii")
    total = _add_ones(_ones_sum(text), datasum)
    header["CHECKSUM"] = (_encode_checksum(total), "HDU checksum")
    text = header.tostring(sep="", endcard=True, padding=True).encode("ascii")
    return text + padded


def write_fits(path, hdus, compress=False):
    """Write ``hdus`` (a list of :class:`OutHDU`, the first one primary) to ``path``
    (gzip-compressed when ``compress``)."""
    opener = (lambda: gzip.open(path, "wb", compresslevel=6)) if compress else (lambda: open(path, "wb"))
    with opener() as fh:
        for i, hdu in enumerate(hdus):
            fh.write(_hdu_bytes(hdu, i == 0))
