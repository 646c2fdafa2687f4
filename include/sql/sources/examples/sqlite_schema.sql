-- The same cards kept in SQLite (a district office's file): text dates, integers for flags.
CREATE TABLE the_bhyt_tinh (
    ma_the TEXT NOT NULL PRIMARY KEY,
    so_dinh_danh TEXT,
    ho_ten TEXT,
    ngay_sinh TEXT,
    gioi_tinh INTEGER,
    con_hieu_luc INTEGER NOT NULL DEFAULT 1,
    ngay_cap_nhat TEXT
)
