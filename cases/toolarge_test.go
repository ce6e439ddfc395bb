package cases_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/huddlebot/huddle/bot"
)

// TestPhotoTooLarge: a picture with too many pixels for its kind, and a
// file larger than Huddle fetches (20 MB), are refused in the chat with
// the truth, in the member's words: how many pixels or MB, and the limit.
func TestPhotoTooLarge(t *testing.T) {
	w := newWorld(t)
	w.say("dm-amina", "amina", "/start", "")
	// A 16-bit PNG of 7000 × 7000 pixels: its header is all that is read.
	var png bytes.Buffer
	png.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 7000)
	binary.BigEndian.PutUint32(ihdr[4:], 7000)
	ihdr[8], ihdr[9] = 16, 6
	binary.Write(&png, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	png.Write(chunk)
	binary.Write(&png, binary.BigEndian, crc32.ChecksumIEEE(chunk))

	ward := w.last("ward")
	w.send("ward", "amina", "/case Woman of 30, rash on the forearm. What is it?", "",
		&bot.File{Name: "scan.png", MIMEType: "image/png", Data: png.Bytes()})
	w.expect("ward", ward, "This picture has 49 million pixels; the limit is 26 million")

	ward = w.last("ward")
	w.send("ward", "amina", "/case Woman of 30, rash on the forearm. What is it?", "",
		&bot.File{Name: "IMG_9.jpg", MIMEType: "image/jpeg", Data: make([]byte, 20<<20)})
	w.expect("ward", ward, "This file is 20 MB; the limit is 16 MB")
}
