//go:build !linux

package backup

import (
	"errors"
	"os"
)

func openDirect(*os.File) (*os.File, error) { return nil, errors.ErrUnsupported }

const directAlign = 4096

func readDirect(*os.File, []byte, int64) (int, error) { return 0, errDirectUnsupported }

func allocBuffer(n int64) ([]byte, error) { return make([]byte, n), nil }

func freeBuffer([]byte) {}
