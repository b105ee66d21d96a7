// Package datadir is the folder the local stack keeps its data in across
// restarts (make run's ENROL_DATA): its files of secrets and state, each
// written whole or not at all, and a lock so that two stacks never share it.
package datadir

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// WriteFile writes b to path whole or not at all, readable by its owner
// alone (0600): see Write.
func WriteFile(path string, b []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// Write writes what write writes to path whole or not at all, readable by
// its owner alone (0600): to a temporary file beside it, buffered, flushed
// to disk, then renamed into place, and the rename flushed too, so a crash
// leaves the old file or the new one.
func Write(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir flushes a folder's entries, so a rename in it is on disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ReadFile is os.ReadFile, with nil and no error when there is no file.
func ReadFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// lockName is the file Lock holds.
const lockName = "lock"

// Lock makes dir (0700) if needed and takes its lock, so that a second
// stack on the same folder stops at once instead of interleaving its writes
// with the first's; unlock lets go (the kernel lets go when the process
// ends, however it ends).
func Lock(dir string) (unlock func() error, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("数据目录 %s 正被另一个 enrol 使用 / the data folder %s is in use by another enrol (%w)", dir, dir, err)
	}
	return f.Close, nil
}

// Wipe removes everything in dir (not dir itself, nor its lock, which the
// caller holds).
func Wipe(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == lockName {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
