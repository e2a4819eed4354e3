import { creditCodeCheckChar } from '@gongguan/domain';
import type { Random } from './random.js';

/** Taizhou's counties and districts with their administrative region codes. */
export const counties = [
  { name: '椒江区', code: '331002' },
  { name: '黄岩区', code: '331003' },
  { name: '路桥区', code: '331004' },
  { name: '临海市', code: '331082' },
  { name: '温岭市', code: '331081' },
  { name: '玉环市', code: '331083' },
  { name: '天台县', code: '331023' },
  { name: '仙居县', code: '331024' },
  { name: '三门县', code: '331022' },
] as const;

/** Taizhou's industries, with the technologies their projects attack. */
export const industries = [
  { name: '泵业', words: ['水泵', '泵阀'], topics: ['高效节能潜水泵水力模型', '永磁同步电机驱动', '屏蔽泵低噪声'] },
  { name: '模具', words: ['模具', '精密模塑'], topics: ['汽车大型覆盖件模具', '精密注塑模具热流道', '模具智能化设计'] },
  { name: '智能马桶', words: ['智能卫浴', '洁具'], topics: ['即热式加热与抗菌', '智能马桶节水冲洗', '座圈低功耗控制'] },
  { name: '汽车零部件', words: ['汽配', '车辆部件'], topics: ['新能源汽车电驱壳体轻量化', '汽车转向系统', '制动卡钳精密铸造'] },
  { name: '医疗器械', words: ['医疗器械', '生物医药'], topics: ['一次性使用医用耗材', '高端医学影像部件', '植入器械表面处理'] },
  { name: '缝制设备', words: ['缝制机械', '缝纫设备'], topics: ['智能缝制单元', '伺服直驱控制', '自动剪线'] },
  { name: '塑料制品', words: ['塑胶', '新材料'], topics: ['可降解改性塑料', '工程塑料精密成型', '再生塑料提纯'] },
  { name: '机电', words: ['机电', '电机'], topics: ['高效工业电机', '智能控制器', '精密减速器'] },
] as const;

const prefixes = ['台州', '浙江', '东海', '方远', '海正', '利欧', '新界', '杰克', '星星', '永高', '华海', '伟星', '钱江', '银轮', '双环', '吉利', '大元', '飞越'];
const suffixes = ['股份有限公司', '有限公司', '科技有限公司', '集团有限公司'];
const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A valid unified social credit code (department 9, category 1) in the given region. */
export function creditCode(random: Random, region: string, department = '9', category = '1'): string {
  let body = `${department}${category}${region}`;
  for (let i = 0; i < 9; i++) body += charset.charAt(random.int(0, charset.length - 1));
  const check = creditCodeCheckChar(body);
  if (check === null) throw new Error(`no check character for ${body}`);
  return body + check;
}

export interface Enterprise {
  name: string;
  creditCode: string;
  /** The county's name (free text on the proposal, as before bureaus). */
  county: string;
  /** The county-level bureau of the enterprise's county (GB/T 2260), which may recommend it. */
  countyCode: string;
  industry: string;
}

/** An enterprise registered in `county` (its credit code carries the county's region code), or in one of Taizhou's. */
export function enterprise(random: Random, index: number, county: { code: string; name: string } = random.pick(counties)): Enterprise {
  const industry = random.pick(industries);
  return {
    name: `${random.pick(prefixes)}${random.pick(industry.words)}${index}号${random.pick(suffixes)}`,
    creditCode: creditCode(random, county.code),
    county: county.name,
    countyCode: county.code,
    industry: industry.name,
  };
}

export const surnames = ['王', '李', '张', '陈', '林', '徐', '黄', '周', '吴', '郑', '叶', '潘'];
export const givenNames = ['伟', '芳', '敏', '强', '杰', '丽', '军', '磊', '婷', '涛', '斌', '燕'];
