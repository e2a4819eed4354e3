/**
 * Zhejiang's science and technology departments, keyed by GB/T 2260 administrative division codes:
 * the province, its 11 cities and their 90 county-level divisions (districts 区, counties 县,
 * county-level cities 市) as of 2021 (临平 and 钱塘 districts, 龙港市). The demo generator and
 * `pnpm seed --province` register them as bureaus; the names are the departments' own.
 */
export interface Division {
  readonly code: string;
  readonly name: string;
}

export interface CityDivision extends Division {
  readonly counties: readonly Division[];
}

export const province: Division = { code: '330000', name: '浙江省' };

const c = (code: string, name: string): Division => ({ code, name });

export const cities: readonly CityDivision[] = [
  { code: '330100', name: '杭州市', counties: [c('330102', '上城区'), c('330105', '拱墅区'), c('330106', '西湖区'), c('330108', '滨江区'), c('330109', '萧山区'), c('330110', '余杭区'), c('330111', '富阳区'), c('330112', '临安区'), c('330113', '临平区'), c('330114', '钱塘区'), c('330122', '桐庐县'), c('330127', '淳安县'), c('330182', '建德市')] },
  { code: '330200', name: '宁波市', counties: [c('330203', '海曙区'), c('330205', '江北区'), c('330206', '北仑区'), c('330211', '镇海区'), c('330212', '鄞州区'), c('330213', '奉化区'), c('330225', '象山县'), c('330226', '宁海县'), c('330281', '余姚市'), c('330282', '慈溪市')] },
  { code: '330300', name: '温州市', counties: [c('330302', '鹿城区'), c('330303', '龙湾区'), c('330304', '瓯海区'), c('330305', '洞头区'), c('330324', '永嘉县'), c('330326', '平阳县'), c('330327', '苍南县'), c('330328', '文成县'), c('330329', '泰顺县'), c('330381', '瑞安市'), c('330382', '乐清市'), c('330383', '龙港市')] },
  { code: '330400', name: '嘉兴市', counties: [c('330402', '南湖区'), c('330411', '秀洲区'), c('330421', '嘉善县'), c('330424', '海盐县'), c('330481', '海宁市'), c('330482', '平湖市'), c('330483', '桐乡市')] },
  { code: '330500', name: '湖州市', counties: [c('330502', '吴兴区'), c('330503', '南浔区'), c('330521', '德清县'), c('330522', '长兴县'), c('330523', '安吉县')] },
  { code: '330600', name: '绍兴市', counties: [c('330602', '越城区'), c('330603', '柯桥区'), c('330604', '上虞区'), c('330624', '新昌县'), c('330681', '诸暨市'), c('330683', '嵊州市')] },
  { code: '330700', name: '金华市', counties: [c('330702', '婺城区'), c('330703', '金东区'), c('330723', '武义县'), c('330726', '浦江县'), c('330727', '磐安县'), c('330781', '兰溪市'), c('330782', '义乌市'), c('330783', '东阳市'), c('330784', '永康市')] },
  { code: '330800', name: '衢州市', counties: [c('330802', '柯城区'), c('330803', '衢江区'), c('330822', '常山县'), c('330824', '开化县'), c('330825', '龙游县'), c('330881', '江山市')] },
  { code: '330900', name: '舟山市', counties: [c('330902', '定海区'), c('330903', '普陀区'), c('330921', '岱山县'), c('330922', '嵊泗县')] },
  { code: '331000', name: '台州市', counties: [c('331002', '椒江区'), c('331003', '黄岩区'), c('331004', '路桥区'), c('331022', '三门县'), c('331023', '天台县'), c('331024', '仙居县'), c('331081', '温岭市'), c('331082', '临海市'), c('331083', '玉环市')] },
  { code: '331100', name: '丽水市', counties: [c('331102', '莲都区'), c('331121', '青田县'), c('331122', '缙云县'), c('331123', '遂昌县'), c('331124', '松阳县'), c('331125', '云和县'), c('331126', '庆元县'), c('331127', '景宁畲族自治县'), c('331181', '龙泉市')] },
];

/** The department's own name: 浙江省科学技术厅, 台州市科学技术局, 椒江区科学技术局. */
export function departmentName(division: Division): string {
  return division.code.endsWith('0000') ? `${division.name}科学技术厅` : `${division.name}科学技术局`;
}
