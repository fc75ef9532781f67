package promemu

import "testing"

func TestInfo(t *testing.T) {
	r := NewRegistry()
	i := MustNewInfo(InfoOpts{Name: "build", Help: "Build."})
	r.MustRegister(i)
	if err := i.Set(Labels{"version": "1.0", "commit": "abc"}); err != nil {
		t.Fatal(err)
	}
	s, ok := sample(t, r, "build_info", "commit", "abc", "version", "1.0")
	if !ok || s.Value != 1 {
		t.Fatalf("info sample %+v", s)
	}
	errorIs(t, i.Set(Labels{"__bad": "x"}), ErrInvalidName, "pe_info_set")
	if _, ok := sample(t, r, "build_info", "commit", "abc", "version", "1.0"); !ok {
		t.Fatal("a refused Set changed the labels")
	}
	if families, _ := r.Gather(); families[0].Type != TypeInfo || families[0].Name != "build" {
		t.Fatalf("family %+v", families[0])
	}

	v := MustNewInfoVec(InfoOpts{Name: "target", Help: "T."}, []string{"instance"})
	r.MustRegister(v)
	if err := v.WithLabelValues("a").Set(Labels{"os": "linux"}); err != nil {
		t.Fatal(err)
	}
	errorIs(t, v.WithLabelValues("a").Set(Labels{"instance": "b"}), ErrInvalidName)
	if _, ok := sample(t, r, "target_info", "instance", "a", "os", "linux"); !ok {
		t.Fatal("info vec sample")
	}
	_, err := NewInfo(InfoOpts{Name: ""})
	errorIs(t, err, ErrInvalidName, "pe_info_new_opts")
	_ = v.Close()
	_ = i.Close()
}

func TestEnum(t *testing.T) {
	r := NewRegistry()
	e := MustNewEnum(EnumOpts{Name: "mode", Help: "Mode.", States: []string{"idle", "busy"}})
	r.MustRegister(e)
	if e.State() != "idle" {
		t.Fatalf("starts in %q", e.State())
	}
	if err := e.Set("busy"); err != nil {
		t.Fatal(err)
	}
	errorIs(t, e.Set("gone"), ErrInvalidValue, "pe_enum_set", "gone")
	if e.State() != "busy" {
		t.Fatal("a refused Set changed the state")
	}
	if active, err := e.IsActive("busy"); err != nil || !active {
		t.Fatal("IsActive")
	}
	_, err := e.IsActive("gone")
	errorIs(t, err, ErrInvalidValue)
	if value(t, r, "mode", "mode", "busy") != 1 || value(t, r, "mode", "mode", "idle") != 0 {
		t.Fatal("state samples")
	}

	flags := MustNewEnum(EnumOpts{Name: "features", Help: "F.", States: []string{"a", "b", "c"}, Flags: true})
	if flags.State() != "" {
		t.Fatal("flags start unset")
	}
	_ = flags.SetState("b", true)
	_ = flags.SetState("c", true)
	_ = flags.SetState("b", false)
	if flags.State() != "c" {
		t.Fatalf("flags state %q", flags.State())
	}
	errorIs(t, flags.SetState("z", true), ErrInvalidValue)

	_, err = NewEnum(EnumOpts{Name: "e"})
	errorIs(t, err, ErrInvalidConfig, "pe_enum_new_opts")
	_, err = NewEnum(EnumOpts{Name: "e", States: []string{"a", "a"}})
	errorIs(t, err, ErrInvalidConfig)
	_, err = NewEnumVec(EnumOpts{Name: "e", States: []string{"a"}}, []string{"e"})
	errorIs(t, err, ErrInvalidName)

	v := MustNewEnumVec(EnumOpts{Name: "worker", Help: "W.", States: []string{"up", "down"}}, []string{"id"})
	r.MustRegister(v)
	_ = v.WithLabelValues("1").Set("down")
	if v.With(Labels{"id": "1"}).State() != "down" || value(t, r, "worker", "id", "1", "worker", "down") != 1 {
		t.Fatal("enum vec")
	}
	if families, _ := r.Gather(); families[0].Type != TypeStateSet {
		t.Fatal("type")
	}
	_ = v.Close()
	_ = e.Close()
}
