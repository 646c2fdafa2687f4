-- Education sector database: pupils and teachers.
CREATE SCHEMA IF NOT EXISTS giao_duc;

CREATE TABLE IF NOT EXISTS giao_duc.hoc_sinh (
    ma_hoc_sinh   text      PRIMARY KEY,
    ma_dinh_danh  text,
    ho_va_ten     text,                   -- stored in Unicode NFD by the school software
    ngay_sinh     text,                   -- dd/mm/yyyy
    gioi_tinh     text,                   -- Nam / Nữ
    trang_thai    text      NOT NULL,     -- dang_hoc (enrolled), tot_nghiep, thoi_hoc
    cap_nhat_luc  timestamp NOT NULL
);

CREATE TABLE IF NOT EXISTS giao_duc.giao_vien (
    ma_giao_vien  text      PRIMARY KEY,
    so_cccd       text,
    ho_ten        text,
    ngay_sinh     text,                   -- yyyy-mm-dd
    gioi_tinh     text,                   -- Nam / Nữ
    dang_cong_tac boolean   NOT NULL,     -- currently employed
    cap_nhat_luc  timestamp NOT NULL
);
