package clip_test

import (
	"testing"
	"time"

	"github.com/huddlebot/huddle/clip"
	"github.com/huddlebot/huddle/internal/testkit/mediatest"
)

// TestReadMP4: a video's length from its movie header and its size from
// the first track with a picture (a sound track before it is passed by);
// what is no MP4 is said to be none.
func TestReadMP4(t *testing.T) {
	video := mediatest.MP4(640, 360, 93.5)
	v, err := clip.ReadMP4(video)
	if err != nil || v.Width != 640 || v.Height != 360 || v.Duration != 93500*time.Millisecond {
		t.Errorf("ReadMP4 = %+v, %v; want 640x360, 1m33.5s", v, err)
	}
	if _, err := clip.ReadMP4([]byte("....ftypmp42 no movie")); err != clip.ErrNotMP4 {
		t.Errorf("no moov: %v", err)
	}
	if _, err := clip.ReadMP4(video[:40]); err == nil {
		t.Error("a file cut short was read")
	}
}
