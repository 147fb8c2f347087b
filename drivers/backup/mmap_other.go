//go:build !linux

package backup

import (
	"errors"
	"os"
)

func mapFile(*os.File, int64, int64) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmapFile([]byte) {}
