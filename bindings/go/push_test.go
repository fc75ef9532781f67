package promemu

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

type pushed struct {
	method, path, contentType, user, password string
	body                                      []byte
}

// fakeGateway records the requests a Pushgateway would get and answers with status.
func fakeGateway(t *testing.T, status int) (*httptest.Server, func() []pushed) {
	var mu sync.Mutex
	var requests []pushed
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, password, _ := r.BasicAuth()
		mu.Lock()
		requests = append(requests, pushed{r.Method, r.URL.EscapedPath(), r.Header.Get("Content-Type"), user, password, body})
		mu.Unlock()
		w.WriteHeader(status)
		if status >= 300 {
			_, _ = io.WriteString(w, "pushed metrics are invalid")
		}
	}))
	t.Cleanup(server.Close)
	return server, func() []pushed {
		mu.Lock()
		defer mu.Unlock()
		return append([]pushed(nil), requests...)
	}
}

func TestPusher(t *testing.T) {
	gateway, requests := fakeGateway(t, http.StatusOK)
	r := NewRegistry()
	c := MustNewCounter(CounterOpts{Name: "batch_records", Help: "Records."})
	c.Add(12)
	r.MustRegister(c)

	p := NewPusher(gateway.URL, "nightly").Registry(r).Grouping("instance", "host-1").Grouping("path", "/var/a b").BasicAuth("u", "p")
	if err := p.Push(); err != nil {
		t.Fatal(err)
	}
	if err := p.PushAdd(); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(); err != nil {
		t.Fatal(err)
	}
	if err := p.Delete(); err != nil {
		t.Fatal(err)
	}
	got := requests()
	if len(got) != 4 {
		t.Fatalf("%d requests", len(got))
	}
	for i, method := range []string{"PUT", "POST", "POST", "DELETE"} {
		req := got[i]
		if req.method != method || req.user != "u" || req.password != "p" {
			t.Fatalf("request %d: %+v", i, req)
		}
		// The value with a slash goes base64-encoded (the library's encoding).
		if !strings.HasPrefix(req.path, "/metrics/job/nightly/instance/host-1/path@base64/") {
			t.Fatalf("path %q", req.path)
		}
		if method != "DELETE" && !bytes.Contains(req.body, []byte("batch_records_total 12")) {
			t.Fatalf("body %q", req.body)
		}
	}
	// The same key twice keeps the last value.
	if err := NewPusher(gateway.URL, "j").Registry(r).Grouping("a", "1").Grouping("a", "2").Push(); err != nil {
		t.Fatal(err)
	}
	if path := requests()[4].path; path != "/metrics/job/j/a/2" {
		t.Fatalf("path %q", path)
	}
}

func TestPusherErrors(t *testing.T) {
	refusing, _ := fakeGateway(t, http.StatusBadRequest)
	err := NewPusher(refusing.URL, "job").Registry(NewRegistry()).Push()
	errorIs(t, err, ErrHTTP, "400", "pushed metrics are invalid")

	listener, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := listener.Addr().String()
	listener.Close()
	err = NewPusher(closedAddr, "job").Options(PushOpts{Timeout: 2 * time.Second, ConnectTimeout: time.Second}).Push()
	errorIs(t, err, ErrIO, "pe_push")

	errorIs(t, NewPusher("ftp://x", "job").Push(), ErrInvalidValue)
	errorIs(t, NewPusher(closedAddr, "").Push(), ErrInvalidValue)
	errorIs(t, NewPusher(closedAddr, "job").Grouping("job", "x").Push(), ErrInvalidName)
	errorIs(t, NewPusher(closedAddr, "job").Grouping("bad name", "x").Delete(), ErrInvalidName, "pe_push_delete")
	errorIs(t, NewPusher(closedAddr, "job").Options(PushOpts{Timeout: -time.Second}).Push(), ErrInvalidConfig)
	errorIs(t, NewPusher(closedAddr, "job").Options(PushOpts{CAFile: "/nonexistent.pem"}).Push(), ErrInvalidConfig)
	closed := NewRegistry()
	_ = closed.Close()
	errorIs(t, NewPusher(closedAddr, "job").Registry(closed).Push(), ErrClosed)
}

// Against a real Pushgateway (make deps installs Debian's); its absence is a failure, not a skip.
func TestPusherRealGateway(t *testing.T) {
	binary, err := exec.LookPath("prometheus-pushgateway")
	if err != nil {
		t.Fatal("prometheus-pushgateway is not installed: run make deps")
	}
	listener, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := listener.Addr().String()
	listener.Close()
	cmd := exec.Command(binary, "--web.listen-address="+addr, "--persistence.interval=0")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal("cannot start the Pushgateway:", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Pushgateway did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}

	r := NewRegistry()
	g := MustNewGauge(GaugeOpts{Name: "promemu_last_success", Help: "Last success."})
	g.Set(1234)
	r.MustRegister(g)
	p := NewPusher(addr, "promemu_go").Registry(r).Grouping("instance", "a/b")
	if err := p.Push(); err != nil {
		t.Fatal(err)
	}
	metrics := func() string {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	want := `promemu_last_success{instance="a/b",job="promemu_go"} 1234`
	if got := metrics(); !strings.Contains(got, want) {
		t.Fatalf("the gateway does not show %s:\n%s", want, got)
	}
	if err := p.Delete(); err != nil {
		t.Fatal(err)
	}
	if got := metrics(); strings.Contains(got, "promemu_last_success{") {
		t.Fatal("still there after Delete")
	}
}
