package promemu

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// lines is a Logger that keeps what it is told, for any goroutine.
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) Println(v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}

func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...)
}

// gate is a Go collector whose Collect says it started, then waits until the gate opens.
type gate struct {
	desc    *Desc
	started chan struct{}
	open    chan struct{}
}

func newGate(name string) *gate {
	return &gate{
		desc:    NewDesc(name, "Waits.", nil, nil),
		started: make(chan struct{}, 16),
		open:    make(chan struct{}),
	}
}

func (g *gate) Describe(ch chan<- *Desc) { ch <- g.desc }

func (g *gate) Collect(ch chan<- Metric) {
	g.started <- struct{}{}
	<-g.open
	ch <- MustNewConstMetric(g.desc, GaugeValue, 1)
}

func serve(h http.Handler, accept string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// closedRegistry cannot be collected: expose fails with ErrClosed.
func closedRegistry() *Registry {
	r := NewRegistry()
	_ = r.Close()
	return r
}

func TestHandlerErrorHandling(t *testing.T) {
	for _, handling := range []HandlerErrorHandling{HTTPErrorOnError, ContinueOnError} {
		log := &lines{}
		rec := serve(HandlerFor(closedRegistry(), HandlerOpts{ErrorHandling: handling, ErrorLog: log}), "")
		want := "An error has occurred while serving metrics:\n\n" + ErrClosed.Error() + "\n"
		if rec.Code != http.StatusInternalServerError || rec.Body.String() != want {
			t.Fatalf("handling %d: %d %q", handling, rec.Code, rec.Body.String())
		}
		if got := log.all(); len(got) != 1 || got[0] != "error gathering metrics: "+ErrClosed.Error() {
			t.Fatalf("handling %d logged %q", handling, got)
		}
	}
	// Without ErrorLog, nothing is logged and the answer is the same.
	if rec := serve(HandlerFor(closedRegistry(), HandlerOpts{}), ""); rec.Code != http.StatusInternalServerError {
		t.Fatalf("no ErrorLog: %d", rec.Code)
	}

	log := &lines{}
	func() {
		defer func() {
			err, _ := recover().(error)
			if !errors.Is(err, ErrClosed) {
				t.Fatalf("PanicOnError panicked with %v", err)
			}
		}()
		serve(HandlerFor(closedRegistry(), HandlerOpts{ErrorHandling: PanicOnError, ErrorLog: log}), "")
		t.Fatal("PanicOnError did not panic")
	}()
	if got := log.all(); len(got) != 1 {
		t.Fatalf("PanicOnError logged %q", got)
	}
}

// failingWriter is a response whose body cannot be written (a client gone).
type failingWriter struct{ header http.Header }

var errGone = errors.New("client gone")

func (w *failingWriter) Header() http.Header       { return w.header }
func (w *failingWriter) Write([]byte) (int, error) { return 0, errGone }
func (w *failingWriter) WriteHeader(int)           {}

func TestHandlerWriteErrors(t *testing.T) {
	r := handlerRegistry()
	for _, gzip := range []bool{false, true} {
		log := &lines{}
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if gzip {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		HandlerFor(r, HandlerOpts{ErrorLog: log}).ServeHTTP(&failingWriter{header: http.Header{}}, req)
		if got := log.all(); len(got) != 1 || got[0] != "error encoding and sending metric family: client gone" {
			t.Fatalf("gzip %v: logged %q", gzip, got)
		}
		func() {
			defer func() {
				if err, _ := recover().(error); err != errGone {
					t.Fatalf("gzip %v: PanicOnError panicked with %v", gzip, err)
				}
			}()
			HandlerFor(r, HandlerOpts{ErrorHandling: PanicOnError}).ServeHTTP(&failingWriter{header: http.Header{}}, req)
			t.Fatalf("gzip %v: PanicOnError did not panic on a write error", gzip)
		}()
	}
}

func TestHandlerMaxRequestsInFlight(t *testing.T) {
	r := NewRegistry()
	g := newGate("in_flight_gate")
	r.MustRegister(g)
	h := HandlerFor(r, HandlerOpts{MaxRequestsInFlight: 1})

	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- serve(h, "") }()
	<-g.started
	rec := serve(h, "")
	if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != "Limit of concurrent requests reached (1), try again later.\n" {
		t.Fatalf("second request in flight: %d %q", rec.Code, rec.Body.String())
	}
	close(g.open)
	if rec := <-first; rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "in_flight_gate 1") {
		t.Fatalf("first request: %d %q", rec.Code, rec.Body.String())
	}
	// The slot is free again.
	if rec := serve(h, ""); rec.Code != http.StatusOK {
		t.Fatalf("after the first request: %d", rec.Code)
	}
}

func TestHandlerTimeout(t *testing.T) {
	r := NewRegistry()
	g := newGate("timeout_gate")
	r.MustRegister(g)
	log := &lines{}
	h := HandlerFor(r, HandlerOpts{Timeout: 20 * time.Millisecond, MaxRequestsInFlight: 1, ErrorLog: log})

	rec := serve(h, "")
	if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != "Exceeded configured timeout of 20ms.\n" {
		t.Fatalf("slow collection: %d %q", rec.Code, rec.Body.String())
	}
	<-g.started
	// The collection goes on, holding its slot.
	if rec := serve(h, ""); rec.Code != http.StatusServiceUnavailable || !strings.HasPrefix(rec.Body.String(), "Limit of concurrent requests") {
		t.Fatalf("while the timed-out collection goes on: %d %q", rec.Code, rec.Body.String())
	}
	close(g.open)
	// Its late write fails (logged); then a request within the timeout is served.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := log.all(); len(got) == 1 && got[0] == "error encoding and sending metric family: "+http.ErrHandlerTimeout.Error() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("logged %q", log.all())
		}
		time.Sleep(time.Millisecond)
	}
	for {
		rec := serve(h, "")
		if rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "timeout_gate 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the collection: %d %q", rec.Code, rec.Body.String())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHandlerEnableOpenMetrics(t *testing.T) {
	r := handlerRegistry()
	for _, c := range []struct {
		accept string
		// without and with EnableOpenMetrics
		without, with Format
		escaping      EscapingScheme // without
	}{
		{prometheus3Accept, FormatPrometheus1, FormatOpenMetrics, NoEscaping},
		{prometheus2Accept, FormatText, FormatOpenMetrics, UnderscoreEscaping},
		{"application/openmetrics-text", FormatText, FormatOpenMetrics, UnderscoreEscaping},
		{"application/openmetrics-text;version=2.0.0", FormatText, FormatOpenMetrics2, UnderscoreEscaping},
		{"application/*", FormatText, FormatOpenMetrics, UnderscoreEscaping},
		{"APPLICATION/OpenMetrics-Text ; version=1.0.0, text/plain;version=1.0.0;q=0.1", FormatPrometheus1, FormatOpenMetrics, UnderscoreEscaping},
		{"*/*,text/plain;q=0", FormatText, FormatOpenMetrics, UnderscoreEscaping},
		{prometheus3NativeAccept, FormatProtobuf, FormatProtobuf, UnderscoreEscaping},
		{prometheus3OM2Accept, FormatProtobuf, FormatOpenMetrics2, UnderscoreEscaping},
		{"", FormatText, FormatText, UnderscoreEscaping},
	} {
		rec := serve(HandlerFor(r, HandlerOpts{}), c.accept)
		if want := c.without.ContentTypeEscaped(c.escaping); rec.Header().Get("Content-Type") != want {
			t.Errorf("%q without OpenMetrics: Content-Type %q, want %q", c.accept, rec.Header().Get("Content-Type"), want)
			continue
		}
		direct, err := r.ExposeEscaped(c.without, c.escaping)
		if err != nil {
			t.Fatal(err)
		}
		if body, _ := io.ReadAll(rec.Body); string(body) != string(direct) {
			t.Errorf("%q without OpenMetrics: body differs from ExposeEscaped(%v)", c.accept, c.without)
		}
		for name, h := range map[string]http.Handler{"EnableOpenMetrics": HandlerFor(r, HandlerOpts{EnableOpenMetrics: true}), "Handler": Handler(r)} {
			want, _, contentType := Negotiate(c.accept)
			if want != c.with {
				t.Fatalf("%q: Negotiate gives %v, the test expects %v", c.accept, want, c.with)
			}
			if rec := serve(h, c.accept); rec.Header().Get("Content-Type") != contentType {
				t.Errorf("%q with %s: Content-Type %q, want %q", c.accept, name, rec.Header().Get("Content-Type"), contentType)
			}
		}
	}
}
