//go:build linux

package file

import (
	"reflect"
	"testing"
)

func TestSubtract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b []Extent
		want []Extent
	}{
		{"nothing taken away leaves everything", []Extent{{0, 10}, {20, 5}}, nil, []Extent{{0, 10}, {20, 5}}},
		{"everything taken away leaves nothing", []Extent{{0, 10}}, []Extent{{0, 10}}, nil},
		{"a middle cut leaves both ends", []Extent{{0, 10}}, []Extent{{3, 4}}, []Extent{{0, 3}, {7, 3}}},
		{"a cut spanning two ranges trims both", []Extent{{0, 10}, {20, 10}}, []Extent{{5, 20}}, []Extent{{0, 5}, {25, 5}}},
		{"cuts outside change nothing", []Extent{{10, 10}}, []Extent{{0, 5}, {30, 5}}, []Extent{{10, 10}}},
		{"several cuts in one range", []Extent{{0, 100}}, []Extent{{10, 10}, {30, 10}, {90, 20}}, []Extent{{0, 10}, {20, 10}, {40, 50}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := subtract(tt.a, tt.b); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("subtract(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
