package wafake

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/hkdf"
)

// handshake is the responder's side of WhatsApp's
// Noise_XX_25519_AESGCM_SHA256 handshake, the mirror of whatsmeow's
// socket.NoiseHandshake: a running hash, a chaining key (salt) and the
// current cipher with its counter.
type handshake struct {
	hash    []byte
	salt    []byte
	key     cipher.AEAD
	counter uint32
}

// pattern is the protocol name WhatsApp's clients start the hash with
// (32 bytes, so used as it is).
const pattern = "Noise_XX_25519_AESGCM_SHA256\x00\x00\x00\x00"

func newHandshake(header []byte) (*handshake, error) {
	h := &handshake{hash: []byte(pattern), salt: []byte(pattern)}
	var err error
	if h.key, err = gcm(h.hash); err != nil {
		return nil, err
	}
	h.authenticate(header)
	return h, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("noise cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

func iv(n uint32) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint32(b[8:], n)
	return b
}

func (h *handshake) authenticate(data []byte) {
	sum := sha256.Sum256(append(append([]byte(nil), h.hash...), data...))
	h.hash = sum[:]
}

func (h *handshake) encrypt(plaintext []byte) []byte {
	out := h.key.Seal(nil, iv(h.counter), plaintext, h.hash)
	h.counter++
	h.authenticate(out)
	return out
}

func (h *handshake) decrypt(ciphertext []byte) ([]byte, error) {
	out, err := h.key.Open(nil, iv(h.counter), ciphertext, h.hash)
	h.counter++
	if err != nil {
		return nil, fmt.Errorf("noise decrypt: %w", err)
	}
	h.authenticate(ciphertext)
	return out, nil
}

// mix mixes the Diffie-Hellman secret of priv and pub into the key.
func (h *handshake) mix(priv, pub []byte) error {
	secret, err := curve25519.X25519(priv, pub)
	if err != nil {
		return fmt.Errorf("noise dh: %w", err)
	}
	write, read, err := expand(h.salt, secret)
	if err != nil {
		return err
	}
	h.counter, h.salt = 0, write
	h.key, err = gcm(read)
	return err
}

// split returns the transport ciphers: what the client writes (the server
// reads) and what it reads (the server writes).
func (h *handshake) split() (clientWrite, clientRead cipher.AEAD, err error) {
	write, read, err := expand(h.salt, nil)
	if err != nil {
		return nil, nil, err
	}
	if clientWrite, err = gcm(write); err != nil {
		return nil, nil, err
	}
	clientRead, err = gcm(read)
	return clientWrite, clientRead, err
}

func expand(salt, data []byte) (write, read []byte, err error) {
	r := hkdf.New(sha256.New, data, salt, nil)
	write, read = make([]byte, 32), make([]byte, 32)
	if _, err = io.ReadFull(r, write); err == nil {
		_, err = io.ReadFull(r, read)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("noise hkdf: %w", err)
	}
	return write, read, nil
}
