// Command genwrap regenerates zwrap.h and zwrap.go of package promemu from the C header.
// Run it from bindings/go (go generate does): go run ./internal/cmd/genwrap
package main

import (
	"log"
	"os"

	"github.com/prometheus-emulator/promemu/internal/genwrap"
)

func main() {
	header, err := os.ReadFile("../../include/prometheus_emulator.h")
	if err != nil {
		log.Fatal(err)
	}
	wrapH, wrapGo, err := genwrap.Generate(header)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("zwrap.h", wrapH, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("zwrap.go", wrapGo, 0o644); err != nil {
		log.Fatal(err)
	}
}
