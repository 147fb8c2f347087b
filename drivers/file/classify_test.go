//go:build linux

package file

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/slab-storage/slab/drivers"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	pathErr := func(errno error) error {
		return &os.PathError{Op: "open", Path: "/p/volumes/.tmp-volume-v1-x", Err: errno}
	}
	tests := []struct {
		name  string
		err   error
		class drivers.Class
		msg   string
	}{
		{"out of space may be retried on another pool", pathErr(unix.ENOSPC), drivers.RetryElsewhere,
			"create volume v1: open /p/volumes/.tmp-volume-v1-x: no space left on device"},
		{"an exceeded quota may be retried on another pool", pathErr(unix.EDQUOT), drivers.RetryElsewhere,
			"create volume v1: open /p/volumes/.tmp-volume-v1-x: disk quota exceeded"},
		{"permission denied fails with the OS message", pathErr(unix.EACCES), drivers.Failed,
			"create volume v1: open /p/volumes/.tmp-volume-v1-x: permission denied"},
		{"operation not permitted fails", pathErr(unix.EPERM), drivers.Failed,
			"create volume v1: open /p/volumes/.tmp-volume-v1-x: operation not permitted"},
		{"a read-only filesystem fails", pathErr(unix.EROFS), drivers.Failed,
			"create volume v1: open /p/volumes/.tmp-volume-v1-x: read-only file system"},
		{"a wrapped ENOSPC is still out of space", fmt.Errorf("copy: %w", pathErr(unix.ENOSPC)), drivers.RetryElsewhere,
			"create volume v1: copy: open /p/volumes/.tmp-volume-v1-x: no space left on device"},
		{"an I/O error fails", pathErr(unix.EIO), drivers.Failed,
			"create volume v1: open /p/volumes/.tmp-volume-v1-x: input/output error"},
		{"a failure after the change is made may be in progress", afterChange(pathErr(unix.EIO)), drivers.MayBeInProgress,
			"create volume v1: the change was made but may not be durable: open /p/volumes/.tmp-volume-v1-x: input/output error"},
		{"a driver error keeps its class", &drivers.Error{Class: drivers.MayBeInProgress, Op: "x", Err: errors.New("y")},
			drivers.MayBeInProgress, "x: y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classify(opCreateVolume, "v1", tt.err)
			if got := drivers.ClassOf(err); got != tt.class {
				t.Errorf("class = %v, want %v", got, tt.class)
			}
			if err.Error() != tt.msg {
				t.Errorf("message = %q, want %q", err, tt.msg)
			}
			if !errors.Is(err, tt.err) && !errors.Is(err, errors.Unwrap(tt.err)) {
				t.Error("the OS error is not kept in the chain")
			}
		})
	}
	if classify("op", "id", nil) != nil {
		t.Error("classify(nil) != nil")
	}
}
