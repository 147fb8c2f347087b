package backup

import (
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// codec compresses and decompresses objects; one per goroutine.
type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
	gz  *gzip.Writer
	out []byte
}

func newCodec() *codec { return &codec{} }

// sampleSize and sampleCount drive the incompressibility test: when three
// 64 KiB samples do not shrink by 3%, the object is stored uncompressed
// (its compression is then "none"), as random or already compressed data
// would only cost CPU time.
const (
	sampleSize     = 64 << 10
	incompressible = 0.97
)

// compress returns data stored with c (or uncompressed when that does
// not pay) and the compression actually used. The returned slice is
// data itself or the codec's buffer, valid until the next call.
func (c *codec) compress(comp Compression, data []byte) ([]byte, Compression, error) {
	if comp == None || len(data) == 0 {
		return data, None, nil
	}
	if len(data) > 4*sampleSize {
		var in, out int
		for _, off := range []int{0, len(data)/2 - sampleSize/2, len(data) - sampleSize} {
			s := data[off : off+sampleSize]
			z, err := c.encode(comp, s)
			if err != nil {
				return nil, "", err
			}
			in, out = in+len(s), out+len(z)
		}
		if float64(out) >= incompressible*float64(in) {
			return data, None, nil
		}
	}
	z, err := c.encode(comp, data)
	if err != nil {
		return nil, "", err
	}
	if len(z) >= len(data) {
		return data, None, nil
	}
	return z, comp, nil
}

func (c *codec) encode(comp Compression, data []byte) ([]byte, error) {
	switch comp {
	case Zstd:
		if c.enc == nil {
			var err error
			c.enc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
			if err != nil {
				return nil, err
			}
		}
		c.out = c.enc.EncodeAll(data, c.out[:0])
		return c.out, nil
	case Gzip:
		b := bytes.NewBuffer(c.out[:0])
		if c.gz == nil {
			var err error
			if c.gz, err = gzip.NewWriterLevel(b, gzip.BestSpeed); err != nil {
				return nil, err
			}
		} else {
			c.gz.Reset(b)
		}
		if _, err := c.gz.Write(data); err != nil {
			return nil, err
		}
		if err := c.gz.Close(); err != nil {
			return nil, err
		}
		c.out = b.Bytes()
		return c.out, nil
	}
	return nil, fmt.Errorf("unknown compression %q", comp)
}

// decompress expands stored bytes into dst (reused when large enough);
// the result must be exactly want bytes.
func (c *codec) decompress(comp Compression, stored []byte, dst []byte, want int64) ([]byte, error) {
	var out []byte
	switch comp {
	case None:
		out = stored
	case Zstd:
		if c.dec == nil {
			var err error
			c.dec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30+1<<20))
			if err != nil {
				return nil, err
			}
		}
		var err error
		if out, err = c.dec.DecodeAll(stored, dst[:0]); err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
	case Gzip:
		r, err := gzip.NewReader(bytes.NewReader(stored))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		b := bytes.NewBuffer(dst[:0])
		// One byte more than expected shows an over-long stream.
		if _, err := io.Copy(b, io.LimitReader(r, want+1)); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		out = b.Bytes()
	default:
		return nil, fmt.Errorf("unknown compression %q", comp)
	}
	if int64(len(out)) != want {
		return nil, fmt.Errorf("expands to %d bytes, want %d", len(out), want)
	}
	return out, nil
}

func (c *codec) close() {
	if c.enc != nil {
		c.enc.Close()
	}
	if c.dec != nil {
		c.dec.Close()
	}
}
