// Command verify-c2sp checks Gongguan's checkpoints, tlog-proofs and tlog-witness consistency
// bodies with the Go checksum database's own libraries (golang.org/x/mod/sumdb/note and
// golang.org/x/mod/sumdb/tlog), so the audit log is verified by code that is not ours.
//
// Input (stdin): {"vkey": "<note verifier key>", "origin": "<origin>", "checks": [check…]}, where a
// check is {"name", "kind": "checkpoint"|"proof"|"consistency", "checkpoint", "proof", "eventHash",
// "old", "body"}. Output (stdout): one JSON line per check, {"name", "ok", "error"}.
//
// Run: GO111MODULE=off GOPATH=/usr/share/gocode go run verify-c2sp.go < input.json
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type check struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Checkpoint string `json:"checkpoint"`
	Proof      string `json:"proof"`
	EventHash  string `json:"eventHash"`
	Old        string `json:"old"`
	Body       string `json:"body"`
}

type input struct {
	Vkey   string  `json:"vkey"`
	Origin string  `json:"origin"`
	Checks []check `json:"checks"`
}

type result struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

type checkpoint struct {
	size int64
	root tlog.Hash
}

// openCheckpoint verifies the signed note with the log's key and parses the C2SP tlog-checkpoint
// body (tlog.ParseTree only accepts the go.sum origin, so the three lines are read here).
func openCheckpoint(msg string, verifiers note.Verifiers, origin string) (checkpoint, error) {
	n, err := note.Open([]byte(msg), verifiers)
	if err != nil {
		return checkpoint{}, fmt.Errorf("note.Open: %w", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return checkpoint{}, errors.New("a checkpoint has an origin, a size and a root hash line")
	}
	if lines[0] != origin {
		return checkpoint{}, fmt.Errorf("origin %q, want %q", lines[0], origin)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("malformed tree size %q", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("malformed root hash: %w", err)
	}
	return checkpoint{size: size, root: root}, nil
}

// hashLines reads base64 hash lines up to the first empty line; it returns them and the rest.
func hashLines(text string) ([]tlog.Hash, string, error) {
	var hashes []tlog.Hash
	for {
		line, rest, found := strings.Cut(text, "\n")
		if !found {
			return nil, "", errors.New("no blank line before the checkpoint")
		}
		text = rest
		if line == "" {
			return hashes, text, nil
		}
		h, err := tlog.ParseHash(line)
		if err != nil {
			return nil, "", fmt.Errorf("malformed proof hash %q: %w", line, err)
		}
		hashes = append(hashes, h)
	}
}

// checkProof verifies a C2SP tlog-proof for the entry whose data is the 32 raw bytes of eventHash.
func checkProof(proof, eventHash string, verifiers note.Verifiers, origin string) error {
	header, rest, _ := strings.Cut(proof, "\n")
	if header != "c2sp.org/tlog-proof@v1" {
		return fmt.Errorf("first line %q", header)
	}
	line, rest, _ := strings.Cut(rest, "\n")
	if strings.HasPrefix(line, "extra ") {
		line, rest, _ = strings.Cut(rest, "\n")
	}
	if !strings.HasPrefix(line, "index ") {
		return fmt.Errorf("expected an index line, got %q", line)
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(line, "index "), 10, 64)
	if err != nil {
		return fmt.Errorf("malformed index: %w", err)
	}
	path, msg, err := hashLines(rest)
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(msg, verifiers, origin)
	if err != nil {
		return err
	}
	data, err := hex.DecodeString(eventHash)
	if err != nil || len(data) != 32 {
		return errors.New("the event hash is 64 hex digits")
	}
	if err := tlog.CheckRecord(tlog.RecordProof(path), cp.size, cp.root, index, tlog.RecordHash(data)); err != nil {
		return fmt.Errorf("tlog.CheckRecord: %w", err)
	}
	return nil
}

// checkConsistency verifies that the checkpoint `old` is a prefix of the one in a tlog-witness
// add-checkpoint body, with the body's consistency proof.
func checkConsistency(old, body string, verifiers note.Verifiers, origin string) error {
	oldCp, err := openCheckpoint(old, verifiers, origin)
	if err != nil {
		return fmt.Errorf("old checkpoint: %w", err)
	}
	line, rest, _ := strings.Cut(body, "\n")
	if !strings.HasPrefix(line, "old ") {
		return fmt.Errorf("expected an old size line, got %q", line)
	}
	oldSize, err := strconv.ParseInt(strings.TrimPrefix(line, "old "), 10, 64)
	if err != nil || oldSize != oldCp.size {
		return fmt.Errorf("old size line %q does not match the old checkpoint's size %d", line, oldCp.size)
	}
	proof, msg, err := hashLines(rest)
	if err != nil {
		return err
	}
	newCp, err := openCheckpoint(msg, verifiers, origin)
	if err != nil {
		return fmt.Errorf("new checkpoint: %w", err)
	}
	if oldCp.size == newCp.size {
		if len(proof) != 0 || oldCp.root != newCp.root {
			return errors.New("same size, different roots")
		}
		return nil
	}
	if err := tlog.CheckTree(tlog.TreeProof(proof), newCp.size, newCp.root, oldCp.size, oldCp.root); err != nil {
		return fmt.Errorf("tlog.CheckTree: %w", err)
	}
	return nil
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "input:", err)
		os.Exit(2)
	}
	verifier, err := note.NewVerifier(in.Vkey)
	if err != nil {
		fmt.Fprintln(os.Stderr, "note.NewVerifier:", err)
		os.Exit(2)
	}
	verifiers := note.VerifierList(verifier)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	for _, c := range in.Checks {
		var err error
		switch c.Kind {
		case "checkpoint":
			_, err = openCheckpoint(c.Checkpoint, verifiers, in.Origin)
		case "proof":
			err = checkProof(c.Proof, c.EventHash, verifiers, in.Origin)
		case "consistency":
			err = checkConsistency(c.Old, c.Body, verifiers, in.Origin)
		default:
			err = fmt.Errorf("unknown kind %q", c.Kind)
		}
		r := result{Name: c.Name, OK: err == nil}
		if err != nil {
			r.Error = err.Error()
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	os.Stdout.Write(out.Bytes())
}

