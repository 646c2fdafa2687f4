-- Justice: civil-status registry (hộ tịch), birth registrations digitised from paper books.
CREATE SCHEMA IF NOT EXISTS ho_tich;

CREATE TABLE IF NOT EXISTS ho_tich.dang_ky_khai_sinh (
    so_dang_ky    text      PRIMARY KEY,  -- registration number: book/number/year
    ma_dinh_danh  text,
    ho_ten        text,
    ngay_sinh     text,                   -- dd/mm/yyyy
    gioi_tinh     text,                   -- M / F
    noi_dang_ky   char(3)   NOT NULL,     -- province of registration
    ngay_dang_ky  date      NOT NULL,
    ngay_so_hoa   timestamp NOT NULL      -- when the entry was digitised
);
