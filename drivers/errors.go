package drivers

import (
	"errors"
	"fmt"
)

// Class tells the applier what a failed driver call means for the object.
type Class int

const (
	// Failed: the operation did not happen; the object is in error.
	Failed Class = iota
	// MayBeInProgress: the outcome is unknown (timeout, lost connection);
	// a refresh must look before anything is retried.
	MayBeInProgress
	// RetryElsewhere: this pool cannot do it (out of space, pool down);
	// the scheduler may place the object on another pool.
	RetryElsewhere
)

func (c Class) String() string {
	switch c {
	case Failed:
		return "failed"
	case MayBeInProgress:
		return "may be in progress"
	case RetryElsewhere:
		return "retry elsewhere"
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Error is a classified driver error.
type Error struct {
	Class Class
	Op    string // e.g. "create volume"
	ID    string
	Err   error
}

func (e *Error) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("%s %s: %v", e.Op, e.ID, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotFound is wrapped by errors about objects a pool does not hold.
var ErrNotFound = errors.New("not found")

// ClassOf returns the class of err; errors that are not *Error are Failed.
func ClassOf(err error) Class {
	var de *Error
	if errors.As(err, &de) {
		return de.Class
	}
	return Failed
}
