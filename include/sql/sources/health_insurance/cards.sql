-- Health-insurance cards; a card is active while today is within its validity period.
WITH cards AS (
    SELECT
        ma_the,
        so_dinh_danh,
        ho_ten,
        ngay_sinh,
        gioi_tinh,
        gt_tu_ngay,
        gt_den_ngay,
        ngay_cap_nhat
    FROM bhyt.the_bhyt
),

cards_with_status AS (
    SELECT
        ma_the,
        so_dinh_danh,
        ho_ten,
        ngay_sinh,
        gioi_tinh,
        current_date BETWEEN gt_tu_ngay AND gt_den_ngay AS con_hieu_luc,
        ngay_cap_nhat
    FROM cards
)

SELECT * FROM cards_with_status
