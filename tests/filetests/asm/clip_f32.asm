# clip_f32 (array(float32, 1d, C), array(float32, 1d, C), np.float32, np.float32)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
  subq $0x10, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
block0:
  movq (%rdi), %r9
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r11
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %r10
  movq 0x38(%rdi), %rax
  vmovss 0x40(%rdi), %xmm0
  vmovss 0x48(%rdi), %xmm0
  jmp     label1
block1:
  movl 8(%rdx), %eax
  cmpl %eax, %ecx
  jnbe    label18; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x10(%rdi), %rax
  movq %rax, %rbx
  addq $0x0, %rbx
  seto %cl
  cmpq %r10, %rbx
  setg %r10b
  orl %ecx, %r10d
  testb %r10b, %r10b
  jnz     label17; j label5
block5:
  movq 0x20(%rdi), %rcx
  movq 0x30(%rdi), %rdx
  leaq (%rcx, %rdx, 4), %rsi
  movq (%rdi), %rdx
  cmpq %rdx, %rsi
  setbe %r9b
  leaq (%rdx, %rax, 4), %rsi
  cmpq %rcx, %rsi
  setbe %sil
  orl %esi, %r9d
  uninit  %rsi
  xorq %rsi, %rsi
  leaq -8(%rax), %r10
  movabsq $0x8000000000000000, %r8
  cmpq (%rip), %rax
  cmovgeq %r10, %r8
  vmovss 0x48(%rdi), %xmm0
  vbroadcastss %xmm0, %xmm2
  vmovss 0x40(%rdi), %xmm1
  vbroadcastss %xmm1, %xmm3
  testb %r9b, %r9b
  jnz     label6; j label7
block6:
  jmp     label8
block7:
  jmp     label11
block8:
  cmpq %r8, %rsi
  jnle    label9; j label10
block9:
  jmp     label11
block10:
  vmovups (%rdx, %rsi, 4), %xmm4
  uninit  %xmm5
  vpcmpeqd %xmm5, %xmm5, %xmm5
  vpsrld $0x1, %xmm5, %xmm5
  vandps %xmm5, %xmm4, %xmm4
  vmaxps %xmm4, %xmm3, %xmm4
  vminps %xmm4, %xmm2, %xmm4
  vmovups %xmm4, (%rcx, %rsi, 4)
  leaq 4(%rsi), %rdi
  vmovups (%rdx, %rdi, 4), %xmm4
  uninit  %xmm5
  vpcmpeqd %xmm5, %xmm5, %xmm5
  vpsrld $0x1, %xmm5, %xmm5
  vandps %xmm5, %xmm4, %xmm4
  vmaxps %xmm4, %xmm3, %xmm4
  vminps %xmm4, %xmm2, %xmm4
  vmovups %xmm4, (%rcx, %rdi, 4)
  leaq 8(%rsi), %rsi
  jmp     label8
block11:
  jmp     label12
block12:
  cmpq %rax, %rsi
  jnl     label15; j label13
block13:
  vmovss (%rdx, %rsi, 4), %xmm2
  movl $0x7fffffff, %edi
  vmovd %edi, %xmm3
  vandps %xmm3, %xmm2, %xmm2
  vmaxss %xmm2, %xmm1, %xmm2
  vminss %xmm2, %xmm0, %xmm2
  vmovss %xmm2, (%rcx, %rsi, 4)
  jmp     label14
block14:
  leaq 1(%rsi), %rsi
  jmp     label12
block15:
  jmp     label16
block16:
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block17:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r11, 0x28(%rdx)
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %r9
  movq %rcx, 0x30(%rdx)
  movq %rsi, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %r9, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm0
  vmovss %xmm0, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm0
  vmovss %xmm0, 0x58(%rdx)
  movq %rax, 0x60(%rdx)
  movq $0x1, 0x68(%rdx)
  movq $0x0, 0x70(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block18:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r11, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm4
  vmovss %xmm4, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm5
  vmovss %xmm5, 0x58(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
