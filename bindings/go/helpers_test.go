package promemu

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

// panicsWith runs fn and checks that it panics with an error matching target whose message
// contains each of fragments.
func panicsWith(t *testing.T, target error, fn func(), fragments ...string) {
	t.Helper()
	defer func() {
		t.Helper()
		value := recover()
		err, ok := value.(error)
		if !ok {
			t.Fatalf("expected a panic with an error matching %v, got %#v", target, value)
		}
		if !errors.Is(err, target) {
			t.Fatalf("panic %v does not match %v", err, target)
		}
		for _, fragment := range fragments {
			if !strings.Contains(err.Error(), fragment) {
				t.Fatalf("panic %q does not mention %q", err, fragment)
			}
		}
	}()
	fn()
}

// errorIs checks that err matches target and mentions each of fragments.
func errorIs(t *testing.T, err, target error, fragments ...string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v does not match %v", err, target)
	}
	for _, fragment := range fragments {
		if !strings.Contains(err.Error(), fragment) {
			t.Fatalf("error %q does not mention %q", err, fragment)
		}
	}
}

// sample finds a sample of the registry by name and labels (name=value pairs in order).
func sample(t *testing.T, r *Registry, name string, labels ...string) (Sample, bool) {
	t.Helper()
	families, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, s := range f.Samples {
			if s.Name != name || len(s.Labels) != len(labels)/2 {
				continue
			}
			match := true
			for i, l := range s.Labels {
				if l.Name != labels[2*i] || l.Value != labels[2*i+1] {
					match = false
				}
			}
			if match {
				return s, true
			}
		}
	}
	return Sample{}, false
}

// value is the value of a sample that must exist.
func value(t *testing.T, r *Registry, name string, labels ...string) float64 {
	t.Helper()
	s, ok := sample(t, r, name, labels...)
	if !ok {
		t.Fatalf("no sample %s%v", name, labels)
	}
	return s.Value
}

func equalFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

// readmeHasExample checks that README.md shows the Example function name of example_test.go as
// it is there.
func readmeHasExample(t *testing.T, name string) {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	start := "func " + name + "() {\n"
	_, example, ok := strings.Cut(string(examples), start)
	example, _, _ = strings.Cut(example, "\n}\n")
	_, block, found := strings.Cut(string(readme), "```go\n"+start)
	block, _, _ = strings.Cut(block, "\n}\n```")
	if !ok || !found || block != example {
		t.Fatalf("the README's example differs from %s in example_test.go", name)
	}
}
