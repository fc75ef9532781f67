package promemu

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestErrorsAndStatuses(t *testing.T) {
	_, err := NewGauge(GaugeOpts{Name: ""})
	var e *Error
	if !errors.As(err, &e) || e.Status != StatusInvalidName || !strings.HasPrefix(e.Message, "pe_gauge_new_opts") {
		t.Fatalf("error %#v", err)
	}
	if err.Error() != "promemu: "+e.Message {
		t.Fatalf("Error() = %q", err.Error())
	}
	if errors.Is(err, ErrInvalidValue) || !errors.Is(err, ErrInvalidName) {
		t.Fatal("errors.Is matches the status's sentinel only")
	}
	sentinelOf := map[Status]error{
		StatusNull: ErrNull, StatusUTF8: ErrUTF8, StatusWrongKind: ErrWrongKind, StatusInvalidName: ErrInvalidName,
		StatusLabelCount: ErrLabelCount, StatusInvalidValue: ErrInvalidValue, StatusInvalidConfig: ErrInvalidConfig,
		StatusDuplicate: ErrDuplicate, StatusNotFound: ErrNotFound, StatusInternal: ErrInternal, StatusIO: ErrIO,
		StatusHTTP: ErrHTTP, StatusCardinality: ErrCardinality, StatusParse: ErrParse,
	}
	for status, sentinel := range sentinelOf {
		err := &Error{Status: status, Message: "m"}
		if !errors.Is(err, sentinel) || status.String() == "unknown status" || sentinel.Error() != "promemu: "+status.String() {
			t.Fatalf("status %d: %v %q", status, sentinel, status.String())
		}
	}
	if StatusNull.String() != "null pointer argument" || Status(99).String() != "unknown status" || StatusOK.String() == "" {
		t.Fatalf("Status strings: %q %q", StatusNull.String(), Status(99).String())
	}
	if Version() == "" || strings.Count(Version(), ".") != 2 {
		t.Fatalf("Version() = %q", Version())
	}
}

// The library's last error is per OS thread and goroutines move between threads: each failure
// must still carry its own message, however many goroutines fail at once.
func TestErrorMessagesStayWithTheirCall(t *testing.T) {
	v := MustNewCounterVec(CounterOpts{Name: "m", Help: "m"}, []string{"a", "b"})
	var wg sync.WaitGroup
	failures := make(chan string, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 300 {
				name := fmt.Sprintf("__reserved %d %d", g, i)
				_, err := NewCounterVec(CounterOpts{Name: "c"}, []string{name})
				if err == nil || !strings.Contains(err.Error(), name) {
					failures <- fmt.Sprintf("NewCounterVec(%q): %v", name, err)
					return
				}
				values := make([]string, 1+(g+i)%2*2) // 1 or 3 values
				_, err = v.GetMetricWithLabelValues(values...)
				if want := fmt.Sprintf("got %d", len(values)); err == nil || !strings.Contains(err.Error(), want) {
					failures <- fmt.Sprintf("%d values: %v", len(values), err)
					return
				}
				runtime.Gosched()
			}
		})
	}
	wg.Wait()
	close(failures)
	for failure := range failures {
		t.Error(failure)
	}
}
